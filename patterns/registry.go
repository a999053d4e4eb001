package patterns

// registry lists every pattern in curriculum order.
var registry = []*Pattern{
	Semaphore,
	Shutdown,
}
