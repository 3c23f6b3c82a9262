"""Running the diagrams: process definitions and their versions (sync, draft, publish), the
instances (start, advance, messages, incidents), the due timers, and what the engine borrows from a
use case (diagram functions, the handler dispatch)."""
