package model

import (
	"reflect"
	"strings"
	"testing"
	"unsafe"
)

// Compact changes no value of the state, and leaves none of its strings in
// the buffer the tags were read from.
func TestCompact(t *testing.T) {
	t.Parallel()
	build := func(buf string) *State {
		f := newFixture(t)
		c1, c2 := f.commit(buf[:40], 0), f.commit(buf[40:80], 1)
		f.commit(buf[80:120], 2)
		f.tag("m@v1.0.0", c1, 10)
		f.tag("m@v1.1.0", c2, 11)
		f.tag("m#prod#1", c1, 12)
		f.tag("m#prod!#2", c1, 13)
		f.tag("m#dev#3", buf[80:120], 14) // an unregistered version
		f.tag("n@v0.1.0", c2, 15)
		f.tag("n@deprecated", c2, 16)
		for i := range f.in.Tags {
			tg := &f.in.Tags[i]
			tg.Message = buf[120+i*10 : 130+i*10]
			tg.Tagger, tg.TaggerEmail = buf[200:210], buf[210:225]
		}
		return f.build()
	}
	buf := strings.Repeat("a", 40) + strings.Repeat("b", 40) + strings.Repeat("c", 40) + strings.Repeat("0123456789", 8) + "Tom Taggertom@example.com"
	want, got := build(buf), build(strings.Clone(buf))
	got.Compact()
	if !reflect.DeepEqual(got, want) {
		t.Fatal("Compact changed the state")
	}
	start, end := uintptr(unsafe.Pointer(unsafe.StringData(buf))), uintptr(unsafe.Pointer(unsafe.StringData(buf)))+uintptr(len(buf))
	inBuf := func(s string) bool {
		p := uintptr(unsafe.Pointer(unsafe.StringData(s)))
		return s != "" && p >= start && p < end
	}
	got = build(buf)
	got.Compact()
	for _, a := range got.Artifacts {
		for _, e := range a.Events() {
			for _, s := range []string{e.Commit, e.Message, e.Author, e.AuthorEmail, e.Object, e.Committer} {
				if inBuf(s) {
					t.Errorf("%s: %q is still in the buffer", e.Tag, s)
				}
			}
		}
		for _, v := range a.Versions {
			if inBuf(v.Commit) || inBuf(v.Name) {
				t.Errorf("version %s: still in the buffer", v.Name)
			}
		}
	}
	m := got.Artifact("m")
	if m == nil || len(m.VersionsAt(strings.Repeat("a", 40))) != 1 || m.UnregisteredAt(strings.Repeat("c", 40)) == nil {
		t.Error("the version indexes lost their versions")
	}
}
