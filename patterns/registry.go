package patterns

// registry lists every pattern in curriculum order.
var registry = []*Pattern{
	Mpsc,
	Actor,
	Stream,
	Semaphore,
}
