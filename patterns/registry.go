package patterns

// registry lists every pattern in curriculum order.
var registry = []*Pattern{
	Sleep,
	Runtime,
	Spawn,
	Join,
	Blocking,
	Mpsc,
	Actor,
	Broadcast,
	Watch,
	Stream,
	Select,
	Timeout,
	Interval,
	Mutex,
	RWLock,
	Semaphore,
	Notify,
	Barrier,
	Shutdown,
	Cost,
}
