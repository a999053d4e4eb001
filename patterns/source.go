package patterns

import "embed"

// Source holds the pattern files, so lessons can show the code that runs.
// Files are listed by name: a pattern *.go would take the tests too.
//
//go:embed semaphore.go shutdown.go
var Source embed.FS
