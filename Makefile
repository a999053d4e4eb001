# asynclab: build, test, benchmark and lint. "make test" is what CI runs.

GO          ?= go
BIN         := bin/asynclab
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Packages whose tests keep golden files (each registers -update).
GOLDEN_PKGS := ./render ./patterns ./cmd/asynclab

FUZZTIME    ?= 30s
# Fuzz targets, as package:Target; "make test" runs their seed corpora.
FUZZ        := ./lessons:FuzzParse ./lessons:FuzzExpand ./patterns:FuzzParamParse \
               ./patterns:FuzzParseRunLine ./progress:FuzzProgressFile \
               ./render:FuzzWrap ./render:FuzzInline

.PHONY: build test fmt vet race bench bench-fidelity bench-lessons lint install golden fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/asynclab

## test: formatting, vet, then every test under the race detector
test: fmt vet race

fmt:
	@files=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$files" ]; then echo "gofmt would change:"; echo "$$files"; exit 1; fi

vet:
	$(GO) vet ./...

race:
	$(GO) test -race -count=1 ./...

## bench: the recorder's cost per event, and "run spawn --tasks 1000000"
## recorded against the same spawn-and-join without recording (see README,
## Performance)
bench:
	$(GO) test -run '^$$' -bench . -benchmem -count 3 ./patterns/trace/
	$(GO) test -run '^$$' -bench SpawnMillion -benchtime 1x -count 3 ./cmd/asynclab/

## bench-fidelity: real-clock runs against their ideal schedule
bench-fidelity:
	./testdata/bench/fidelity.sh

## bench-lessons: lessons, list and help in fresh processes, beside a glamour-only reader
bench-lessons:
	./testdata/bench/lessons.sh

lint: fmt vet
	$(GO) run $(STATICCHECK) ./...

install:
	$(GO) install ./cmd/asynclab

## fuzz: each fuzz target for $(FUZZTIME)
fuzz:
	@for t in $(FUZZ); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	done

## golden: rewrite golden files and script expectations; review the diff
golden:
	$(GO) test $(GOLDEN_PKGS) -update

clean:
	rm -rf bin
