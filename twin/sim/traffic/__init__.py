"""Registry request traffic in simulated time: background load, routing through the
Service endpoints, each pod's server, kubelet image pulls, scrapes and the storage
health gate. The decisions live in `twin.model.registry`; this package moves time."""
