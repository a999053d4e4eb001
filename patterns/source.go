package patterns

import "embed"

// Source holds the pattern files, so lessons can show the code that runs.
// Files are listed by name: a pattern *.go would take the tests too.
//
//go:embed broadcast.go watch.go semaphore.go notify.go
var Source embed.FS
