"""What operators watch and steer: incidents, the scheduler's heartbeat, timers coming due,
the charts, and the demo and test clock."""
