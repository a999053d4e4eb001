package render

import "github.com/asynclab/asynclab/patterns/trace"

// The checks of the machine formats, for the tests of package render_test
// that run every pattern.
var (
	CheckChromeTrace = func(data []byte, l *trace.Log) error {
		_, err := checkChromeTrace(data, l)
		return err
	}
	LogFromJSONLines = func(data []byte) (*trace.Log, error) {
		l, _, err := logFromJSONLines(data)
		return l, err
	}
	Plain = plain
)

// The markdown renderer in one pass and in chunks, for the tests that hold
// the two to the same bytes.
var (
	RenderGlamour = renderGlamour
	RenderChunks  = renderChunks
	ChunkCuts     = chunkCuts
)

// JoinListLines is the markdown's list items made one line each.
var JoinListLines = joinListLines
