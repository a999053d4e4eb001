package patterns

// registry lists every pattern in curriculum order.
var registry = []*Pattern{
	Sleep,
	Runtime,
	Spawn,
	Join,
	Blocking,
	Broadcast,
	Watch,
	Select,
	Timeout,
	Interval,
	Mutex,
	RWLock,
	Semaphore,
	Notify,
	Barrier,
	Cost,
}
