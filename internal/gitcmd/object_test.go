package gitcmd

import (
	"slices"
	"testing"
	"time"
)

func TestParseIdent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line, name, email string
		unix              int64
		zone              string
		offset            int
	}{
		{"Test User <test@example.com> 1640998800 +0000", "Test User", "test@example.com", 1640998800, "+0000", 0},
		{"Ravi <r@x.in> 1640998800 +0530", "Ravi", "r@x.in", 1640998800, "+0530", 5*3600 + 30*60},
		{"West <w@x> 1640998800 -0800", "West", "w@x", 1640998800, "-0800", -8 * 3600},
		{"Newfoundland <n@x> 1640998800 -0230", "Newfoundland", "n@x", 1640998800, "-0230", -(2*3600 + 30*60)},
		{"<nobody@x> 0 +0000", "", "nobody@x", 0, "+0000", 0},
		{"Spaces   <s@x>   1640998800   +0100", "Spaces", "s@x", 1640998800, "+0100", 3600},
		{"Odd <o@x> > 1640998800 +0000", "Odd", "o@x", 1640998800, "+0000", 0}, // stray ">": the date follows the last one
		{"Unicode Ünïcødé <u@x> 1640998800 +0000", "Unicode Ünïcødé", "u@x", 1640998800, "+0000", 0},
		// The extreme zones of the world, and broken ones: a day or more
		// from UTC is shown in UTC (the instant is kept).
		{"Kiribati <k@x> 1640998800 +1400", "Kiribati", "k@x", 1640998800, "+1400", 14 * 3600},
		{"Baker <b@x> 1640998800 -1200", "Baker", "b@x", 1640998800, "-1200", -12 * 3600},
		{"Broken <b@x> 1640998800 +9999", "Broken", "b@x", 1640998800, "+0000", 0},
		{"Broken <b@x> 1640998800 +2400", "Broken", "b@x", 1640998800, "+0000", 0},
		{"Broken <b@x> 1640998800 -2400", "Broken", "b@x", 1640998800, "+0000", 0},
		{"Minutes <m@x> 1640998800 +0099", "Minutes", "m@x", 1640998800, "+0099", 99 * 60},
		{"Old <o@x> -2208988800 +0000", "Old", "o@x", -2208988800, "+0000", 0}, // 1900
	}
	for _, tt := range tests {
		got := parseIdent(tt.line)
		if got.name != tt.name || got.email != tt.email {
			t.Errorf("%q: name %q email %q, want %q %q", tt.line, got.name, got.email, tt.name, tt.email)
		}
		name, offset := got.time.Zone()
		if got.time.Unix() != tt.unix || name != tt.zone || offset != tt.offset {
			t.Errorf("%q: time %v (zone %q %d), want %d %s %d", tt.line, got.time, name, offset, tt.unix, tt.zone, tt.offset)
		}
	}
	for _, line := range []string{"No Date <n@x>", "Bad <b@x> notanumber +0000", "Bad zone <b@x> 1640998800 0000",
		// before year 1 or after 9999: garbage, not a date
		"Far <f@x> 99999999999999 +0000", "Far <f@x> -99999999999 +0000", "Far <f@x> 253402300800 +0000",
		"Far <f@x> 99999999999999999999 +0000"} {
		if got := parseIdent(line); !got.time.IsZero() || got.email == "" {
			t.Errorf("%q: got %+v, want the person without a time", line, got)
		}
	}
	if got := parseIdent("no email at all"); got.name != "no email at all" || got.email != "" {
		t.Errorf("malformed ident: got %+v", got)
	}
}

func TestParseTag(t *testing.T) {
	t.Parallel()
	const head = "object 0123456789012345678901234567890123456789\ntype commit\ntag m@v1.0.0\ntagger T <t@x> 1640998800 +0530\n"
	tests := []struct {
		name, data, message string
		signed, tagger      bool
	}{
		{"plain", head + "\nline 1\nline 2\n", "line 1\nline 2", false, true},
		{"one newline removed", head + "\nmsg\n\n", "msg\n", false, true},
		{"no trailing newline", head + "\nmsg", "msg", false, true},
		{"empty message", head + "\n", "", false, true},
		{"no body at all", head, "", false, true},
		{"pgp", head + "\nmsg\n-----BEGIN PGP SIGNATURE-----\n\nabc\n-----END PGP SIGNATURE-----\n", "msg", true, true},
		{"ssh", head + "\nmsg\n\n-----BEGIN SSH SIGNATURE-----\nabc\n-----END SSH SIGNATURE-----\n", "msg\n", true, true},
		{"x509", head + "\nmsg\n-----BEGIN SIGNED MESSAGE-----\nabc\n", "msg", true, true},
		{"quoted signature then real one",
			head + "\nsee:\n-----BEGIN PGP SIGNATURE-----\nquoted\n-----BEGIN PGP SIGNATURE-----\nreal\n",
			"see:\n-----BEGIN PGP SIGNATURE-----\nquoted", true, true},
		{"not at line start", head + "\nmsg -----BEGIN PGP SIGNATURE-----\n", "msg -----BEGIN PGP SIGNATURE-----", false, true},
		{"no tagger", "object 0123456789012345678901234567890123456789\ntype commit\ntag old\n\nold tag\n", "old tag", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseTag("id", []byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if got.Message != tt.message || got.Signed != tt.signed || got.HasTagger != tt.tagger {
				t.Errorf("got message %q signed %v tagger %v, want %q %v %v", got.Message, got.Signed, got.HasTagger, tt.message, tt.signed, tt.tagger)
			}
			if got.Object != "0123456789012345678901234567890123456789" || got.ObjectType != "commit" || got.ID != "id" {
				t.Errorf("headers: %+v", got)
			}
			if tt.tagger && (got.TaggerName != "T" || got.TaggerEmail != "t@x" || got.Time.Unix() != 1640998800) {
				t.Errorf("tagger: %+v", got)
			}
		})
	}
	if _, err := parseTag("id", []byte("tag x\n\nmsg\n")); err == nil {
		t.Error("a tag without object/type headers parsed")
	}
}

func TestParseCommit(t *testing.T) {
	t.Parallel()
	data := "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n" +
		"parent 1111111111111111111111111111111111111111\n" +
		"parent 2222222222222222222222222222222222222222\n" +
		"author A U Thor <author@x> 1640998800 -0800\n" +
		"committer C O Mitter <committer@x> 1640998860 +0530\n" +
		"encoding ISO-8859-1\n" +
		"mergetag object 2222222222222222222222222222222222222222\n" +
		" type commit\n" +
		" tag v1\n" +
		" tagger T <t@x> 1640998800 +0000\n" +
		" \n" +
		" merged tag\n" +
		"gpgsig -----BEGIN PGP SIGNATURE-----\n" +
		" \n" +
		" iQEzBAABCAAdFiEE\n" +
		" -----END PGP SIGNATURE-----\n" +
		"x-unknown-header value\n" +
		"\n" +
		"Subject\n\nBody line\n"
	c, err := parseCommit("cid", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if c.Hash != "cid" || c.Tree != "4b825dc642cb6eb9a060e54bf8d69288fbee4904" ||
		!slices.Equal(c.Parents, []string{"1111111111111111111111111111111111111111", "2222222222222222222222222222222222222222"}) {
		t.Errorf("ids: %+v", c)
	}
	if c.AuthorName != "A U Thor" || c.AuthorEmail != "author@x" || !c.AuthorTime.Equal(time.Unix(1640998800, 0)) {
		t.Errorf("author: %+v", c)
	}
	if _, off := c.CommitterTime.Zone(); c.CommitterName != "C O Mitter" || off != 19800 || c.CommitterTime.Unix() != 1640998860 {
		t.Errorf("committer: %+v", c)
	}
	if c.Encoding != "ISO-8859-1" || c.Message != "Subject\n\nBody line\n" {
		t.Errorf("encoding %q message %q", c.Encoding, c.Message)
	}
	if _, err := parseCommit("x", []byte("author A <a@x> 1 +0000\n\nmsg\n")); err == nil {
		t.Error("a commit without tree parsed")
	}
}
