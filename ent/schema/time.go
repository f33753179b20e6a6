package schema

import "time"

// Now is the time stamps are made of: UTC, in microseconds, the precision
// PostgreSQL keeps, so an object answered from memory right after a write
// shows the same times as one read back later (and as its event).
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func timeNow() time.Time { return Now() }
