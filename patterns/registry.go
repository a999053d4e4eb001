package patterns

// registry lists every pattern in curriculum order.
var registry = []*Pattern{
	Spawn,
	Join,
	Select,
	Timeout,
	Interval,
	Mutex,
	RWLock,
	Semaphore,
	Barrier,
	Cost,
}
