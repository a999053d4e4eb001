package patterns

// registry lists every pattern in curriculum order.
var registry = []*Pattern{
	Sleep,
	Runtime,
	Spawn,
	Join,
	Blocking,
	Select,
	Timeout,
	Interval,
	Mutex,
	RWLock,
	Semaphore,
	Barrier,
	Cost,
}
