package gitcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzParseObject feeds hand-made (hostile or broken) tag and commit
// objects to the parsers every registry read runs: they must never panic,
// and the times they give are either unknown (zero) or in years 1 to 9999
// and less than a day away from UTC, so that they can be written as ISO
// 8601 (JSON) and compared.
func FuzzParseObject(f *testing.F) {
	for _, s := range []string{
		"object 1111111111111111111111111111111111111111\ntype commit\ntag m@v1.0.0\ntagger T <t@x> 1640995200 +0000\n\nmsg\n",
		"object 1111111111111111111111111111111111111111\ntype commit\ntag m@v1.0.0\n\nno tagger\n",
		"object 1111111111111111111111111111111111111111\ntype commit\ntag m\ntagger K <k@x> 1640995200 +1400\n\nmsg\n-----BEGIN PGP SIGNATURE-----\nx\n-----END PGP SIGNATURE-----\n",
		"object 1\ntype tag\ntagger B <b@x> 1640995200 +9999\n\n",
		"object 1\ntype commit\ntagger F <f@x> 99999999999999 -0000\n",
		"object 1\ntype commit\ntagger <> -99999999999 +12\n\n",
		"object 1\ntype commit\ntagger A <a@x> > 1 +0530 extra\ngpgsig -----BEGIN SSH SIGNATURE-----\n x\n\nbody",
		"tree 2222222222222222222222222222222222222222\nparent 3\nparent 4\nauthor A <a@x> 1640995200 -1200\ncommitter C <c@x> 1640995200 +0530\nencoding ISO-8859-1\n\nmessage\n",
		"tree 2\nauthor no email 1\ncommitter C <c@x\n\n",
		"garbage\n",
		"",
		"\n\n\n",
		" continuation\n\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// The parsers keep slices of their input: give each its own copy.
		tag, err := parseTag("id", append([]byte(nil), data...))
		if err == nil {
			if tag.Object == "" || tag.ObjectType == "" {
				t.Fatalf("parseTag accepted a tag without object or type: %+v", tag)
			}
			checkTime(t, "tagger", tag.Time, data)
			if !tag.HasTagger && (tag.TaggerName != "" || !tag.Time.IsZero()) {
				t.Fatalf("a tag without tagger has a tagger: %+v", tag)
			}
		} else if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("parseTag error is not one line: %q", err)
		}
		c, err := parseCommit("id", append([]byte(nil), data...))
		if err == nil {
			if c.Tree == "" {
				t.Fatalf("parseCommit accepted a commit without tree: %+v", c)
			}
			checkTime(t, "author", c.AuthorTime, data)
			checkTime(t, "committer", c.CommitterTime, data)
		} else if strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("parseCommit error is not one line: %q", err)
		}
	})
}

func checkTime(t *testing.T, what string, tm time.Time, data []byte) {
	t.Helper()
	if tm.IsZero() {
		return
	}
	if y := tm.Year(); y < 1 || y > 9999 {
		t.Fatalf("%s time %v is outside years 1-9999\ninput: %q", what, tm, data)
	}
	if u := tm.UTC().Year(); u < 1 || u > 9999 {
		t.Fatalf("%s time %v is outside years 1-9999 in UTC\ninput: %q", what, tm, data)
	}
	if _, off := tm.Zone(); off <= -24*3600 || off >= 24*3600 {
		t.Fatalf("%s time %v is a day or more away from UTC\ninput: %q", what, tm, data)
	}
	// What JSON prints must parse back as ISO 8601 (RFC 3339).
	s := tm.Format(time.RFC3339)
	back, err := time.Parse(time.RFC3339, s)
	if err != nil || !back.Equal(tm) {
		t.Fatalf("%s time %v formats as %q, which does not parse back (%v)\ninput: %q", what, tm, s, err, data)
	}
}

// FuzzObjectCache loads arbitrary bytes as the object cache and memo files (after
// its magic line, where damage matters): lookups must never panic, and
// storing a memo afterwards must leave a file that gives it back.
func FuzzObjectCache(f *testing.F) {
	var good []byte
	good = appendRecord(good, recTag, appendTag(nil, &TagObject{ID: "t1", Name: "m@v1.0.0", Object: "c1", ObjectType: "commit", Message: "m"}))
	good = appendRecord(good, recCommit, appendCommit(nil, &Commit{Hash: "c1", Tree: "tr", Parents: []string{"p"}, Message: "x"}))
	good = appendRecord(good, recType, appendStr(appendStr(nil, "l1"), "commit"))
	good = appendRecord(good, recMemo, appendStr(appendStr(appendStr(nil, "slot"), "key"), "value"))
	f.Add(good)
	f.Add(good[:len(good)-3])
	f.Add(append(append([]byte(nil), good...), 'z', 1, 0))
	f.Add([]byte{recTag, 2, 1, 't'})
	f.Add([]byte{recMemo, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		for _, file := range []string{cacheFileName, memoFileName} {
			if err := os.WriteFile(filepath.Join(dir, file), append([]byte(cacheMagic), data...), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		c := newObjectCache(dir)
		c.tagInto([]byte("t1"), new(TagObject))
		c.commitInto("c1", new(Commit))
		c.typeOf("l1")
		c.memo("slot")
		c.setMemo("slot", "k", "fresh")
		c.flush()
		again := newObjectCache(dir)
		if key, value, ok := again.memo("slot"); !ok || key != "k" || value != "fresh" {
			t.Fatalf("memo after a flush = %q, %q, %v", key, value, ok)
		}
	})
}
