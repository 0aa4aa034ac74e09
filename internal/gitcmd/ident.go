package gitcmd

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ident is a parsed "Name <email> 1640998800 +0000" line (author, committer,
// tagger).
type ident struct {
	name, email string
	time        time.Time // zero when the line carries no valid date
}

// parseIdent splits an ident line the way git's split_ident_line does: the
// name runs up to the first "<" (trailing spaces trimmed), the e-mail up to
// the next ">", and the date follows the last ">" on the line. Broken idents
// that git tolerates give what git shows. A line without "<...>" is all name:
// one malformed object must not make a whole registry unreadable.
func parseIdent(line string) ident {
	lt := strings.IndexByte(line, '<')
	gt := -1
	if lt >= 0 {
		gt = strings.IndexByte(line[lt+1:], '>')
	}
	if gt < 0 {
		return ident{name: strings.TrimSpace(line)}
	}
	id := ident{
		name:  strings.TrimRight(line[:lt], " \t\n"),
		email: line[lt+1 : lt+1+gt],
	}
	// The date follows the last ">", which tolerates a stray ">" inside
	// the e-mail address, as git does.
	rest := strings.TrimLeft(line[strings.LastIndexByte(line, '>')+1:], " ")
	stamp, zone, ok := strings.Cut(rest, " ")
	if !ok {
		return id
	}
	if t, ok := parseGitTime(stamp, strings.TrimLeft(zone, " ")); ok {
		id.time = t
	}
	return id
}

// parseGitTime parses git's "<unix seconds> <+hhmm>" date into a time in a
// time.FixedZone named after the offset ("+0530").
func parseGitTime(stamp, zone string) (time.Time, bool) {
	secs, err := strconv.ParseInt(stamp, 10, 64)
	if err != nil || secs < minTime || secs > maxTime {
		// A date before year 1 or after 9999 is garbage (a hand-made
		// object): ISO 8601 and gto 0.2.4 cannot even write it.
		return time.Time{}, false
	}
	return zoneTime(secs, zone)
}

// The first and the last second that parseGitTime accepts: years 0001 to
// 9999, in any time zone.
var (
	minTime = time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC).Unix()
	maxTime = time.Date(9999, 12, 30, 23, 59, 59, 0, time.UTC).Unix()
)

// zoneTime is the time secs seconds after the epoch in the fixed zone
// written as git writes it ("+0530").
func zoneTime(secs int64, zone string) (time.Time, bool) {
	if len(zone) < 2 || (zone[0] != '+' && zone[0] != '-') {
		return time.Time{}, false
	}
	digits := zone[1:]
	if i := strings.IndexFunc(digits, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		digits = digits[:i]
	}
	hhmm, err := strconv.Atoi(digits)
	if err != nil {
		return time.Time{}, false
	}
	// Like git, read the offset as a decimal hhmm number: +0530 is 5h30m.
	offset := (hhmm/100)*3600 + (hhmm%100)*60
	if zone[0] == '-' {
		offset = -offset
	}
	if offset <= -24*3600 || offset >= 24*3600 {
		// No place is a day or more away from UTC ("+9999" is a broken
		// object): keep the instant, show it in UTC, so that ISO 8601
		// output stays valid (+HH:MM with HH < 24).
		return time.Unix(secs, 0).In(fixedZone("+0000", 0, 0)), true
	}
	return time.Unix(secs, 0).In(fixedZone(zone[:1+len(digits)], hhmm, offset)), true
}

// zones caches the locations made by fixedZone: a registry's thousands of
// tags share a handful of offsets.
var zones sync.Map // zone as written ("+0530") -> *time.Location

// fixedZone returns the location for zone as written in the object: a
// time.FixedZone named "+hhmm" with the given offset in seconds.
func fixedZone(zone string, hhmm, offset int) *time.Location {
	if loc, ok := zones.Load(zone); ok {
		return loc.(*time.Location)
	}
	name := fmt.Sprintf("%c%02d%02d", zone[0], hhmm/100, hhmm%100)
	// A copy for the key: zone may be a slice of the object cache's whole
	// file, which the table would keep in memory for good.
	loc, _ := zones.LoadOrStore(strings.Clone(zone), time.FixedZone(name, offset))
	return loc.(*time.Location)
}
