package calendar

import (
	"sync"
	"time"

	// The zone database is built in, so the binary knows every IANA zone
	// even on an image without /usr/share/zoneinfo (the distroless one).
	_ "time/tzdata"
)

// DefaultZone is the time zone of an organisation that has not chosen one.
// CareCoord's first teams work in the eastern United States; an admin sets
// another on the settings page.
const DefaultZone = "America/New_York"

// zones holds every location loaded so far: time.LoadLocation reads and
// parses the zone's file each time, and every request needs its tenant's.
var zones sync.Map

// Zone is the location of an IANA time-zone name ("America/Los_Angeles").
// The empty name is DefaultZone. An unknown name is an error.
func Zone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultZone
	}
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	zones.Store(name, loc)
	return loc, nil
}
