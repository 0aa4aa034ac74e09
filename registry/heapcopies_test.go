package registry

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gto-dev/gto/internal/store"
	"github.com/gto-dev/gto/model"
)

// streamingReader hands out n annotated tags of artifact "m" through
// store.TagStreamer, as the git store does; each tag's strings are slices
// of one buffer, as the git store's point into its mapped object cache.
type streamingReader struct {
	store.Reader // nil: only EachTag is called
	n            int
	buf          string
}

func newStreamingReader(n int) *streamingReader {
	var b []byte
	for i := range n {
		b = fmt.Appendf(b, "m@v0.0.%d %040x ", i+1, i)
	}
	return &streamingReader{n: n, buf: string(b)}
}

func (r *streamingReader) EachTag(_ context.Context, _ []string, keep func(string) bool, grow func(int), each func(*store.Tag) error) error {
	grow(r.n)
	rest := r.buf
	for range r.n {
		sp := strings.IndexByte(rest, ' ')
		name := rest[:sp]
		commit := rest[sp+1 : sp+41]
		rest = rest[sp+42:]
		if !keep(name) {
			continue
		}
		t := store.Tag{Name: name, Object: commit, Type: "tag", Commit: commit, TaggerName: "T", TaggerEmail: "t@x",
			Time: time.Unix(1700000000, 0), HasTagger: true, Message: "m"}
		if err := each(&t); err != nil {
			return err
		}
	}
	return nil
}

// mappedReader is a streamingReader whose strings may point into a
// mapping (store.PageDropper).
type mappedReader struct{ *streamingReader }

func (mappedReader) DropPages() {}

// within reports whether s lies in buf's bytes.
func within(s, buf string) bool {
	p, b := uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(unsafe.Pointer(unsafe.StringData(buf)))
	return p >= b && p < b+uintptr(len(buf))
}

func TestHeapCopiesOfAMappedLargeRead(t *testing.T) {
	t.Parallel()
	r := mappedReader{newStreamingReader(dropPagesMinTags)}
	expected := 0
	how := &tagRead{expect: func(n int) { expected = n }}
	var got []model.TagInput
	err := eachTagInput(t.Context(), r, "", how, func(int) {}, func(in *model.TagInput) { got = append(got, *in) })
	if err != nil {
		t.Fatal(err)
	}
	if how.copies == nil || len(got) != dropPagesMinTags || expected != dropPagesMinTags {
		t.Fatalf("copies %v, %d tags, %d expected; want copies of %d tags, all expected", how.copies != nil, len(got), expected, dropPagesMinTags)
	}
	for _, in := range got[:3] {
		if in.Parsed.Artifact != "m" || in.Commit == "" || in.Parsed.Version == "" {
			t.Fatalf("tag %+v lost its keys", in)
		}
		if within(in.Parsed.Artifact, r.buf) || within(in.Parsed.Version, r.buf) || within(in.Commit, r.buf) {
			t.Errorf("%s: keyed strings still point into the store's buffer", in.Name)
		}
		if !within(in.Name, r.buf) {
			t.Errorf("%s: the name was copied too (only the keys need to be)", in.Name)
		}
	}
	if unsafe.StringData(got[0].Parsed.Artifact) != unsafe.StringData(got[1].Parsed.Artifact) {
		t.Error("one artifact name was copied twice")
	}
}

func TestNoHeapCopiesWhenSmallUnmappedOrNotAsked(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		rd   store.Reader
		ask  bool
	}{
		{"below the threshold", mappedReader{newStreamingReader(dropPagesMinTags - 1)}, true},
		{"not mapped", newStreamingReader(dropPagesMinTags), true},
		{"not asked", mappedReader{newStreamingReader(dropPagesMinTags)}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			how := &tagRead{}
			if !tc.ask {
				how = nil
			}
			n := 0
			if err := eachTagInput(t.Context(), tc.rd, "", how, func(int) {}, func(*model.TagInput) { n++ }); err != nil {
				t.Fatal(err)
			}
			if how != nil && how.copies != nil || n == 0 {
				t.Errorf("copies made, or no tags read (%d)", n)
			}
		})
	}
}

func TestHeapCopiesOf(t *testing.T) {
	t.Parallel()
	buf := "abcabc"
	h := heapCopies{}
	a, b := h.of(buf[:3]), h.of(buf[3:])
	if a != "abc" || unsafe.StringData(a) != unsafe.StringData(b) || within(a, buf) {
		t.Errorf("of: %q %q, want one copy of \"abc\" outside its source", a, b)
	}
	if h.of("") != "" {
		t.Error(`of(""): want ""`)
	}
}
