package patterns

import "embed"

// Source holds the pattern files, so lessons can show the code that runs.
// Files are listed by name: a pattern *.go would take the tests too.
//
//go:embed sleep.go
//go:embed runtime.go
//go:embed spawn.go
//go:embed join.go
//go:embed blocking.go
//go:embed mpsc.go
//go:embed actor.go
//go:embed broadcast.go
//go:embed watch.go
//go:embed stream.go
//go:embed select.go
//go:embed timeout.go
//go:embed interval.go
//go:embed mutex.go
//go:embed rwlock.go
//go:embed semaphore.go
//go:embed notify.go
//go:embed barrier.go
//go:embed shutdown.go
//go:embed cost.go
var Source embed.FS
