module github.com/asynclab/asynclab

go 1.26.0

require (
	github.com/charmbracelet/x/exp/golden v0.1.0
	go.uber.org/goleak v1.3.0
	golang.org/x/sync v0.24.0
)

require github.com/aymanbagabas/go-udiff v0.4.1 // indirect
