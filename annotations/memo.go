package annotations

import (
	"encoding/binary"
)

// memoVersion starts every encoding: a new layout (or a parser that
// accepts other files) gets a new one, and older encodings are refused.
const memoVersion = 2 // 2: plain numbers and booleans read as Python writes them

// EncodeMemo returns a compact encoding of ix for a cache keyed by the
// file's content (DecodeMemo reads it back in a fraction of the time
// parsing takes: about 1 ms against 50 ms for 5,000 artifacts). ok is
// false when ix holds a Custom value, which the encoding does not keep.
func (ix *Index) EncodeMemo() (string, bool) {
	b := binary.AppendUvarint(nil, memoVersion)
	b = appendMemoStr(b, ix.file)
	b = binary.AppendUvarint(b, uint64(len(ix.names)))
	for _, name := range ix.names {
		a := ix.arts[name]
		if a.Custom != nil {
			return "", false
		}
		b = appendMemoStr(b, name)
		b = appendMemoStr(b, a.Type)
		b = appendMemoStr(b, a.Path)
		b = appendMemoStr(b, a.Description)
		var flags byte
		for i, f := range []bool{a.EmptyType, a.EmptyPath, a.Virtual} {
			if f {
				flags |= 1 << i
			}
		}
		b = append(b, flags)
		b = binary.AppendUvarint(b, uint64(len(a.Labels)))
		for _, l := range a.Labels {
			b = appendMemoStr(b, l)
		}
	}
	return string(b), true
}

// DecodeMemo reads what EncodeMemo wrote; ok is false for anything else
// (another version, damage), and the caller then parses the file.
func DecodeMemo(s string) (ix *Index, ok bool) { return decodeMemo(s, "") }

// DecodeMemoOf is DecodeMemo of one artifact: the index holds name alone,
// or nothing when the file does not annotate it. A command about one
// artifact then does not build the index of every other (5,000 of them:
// a millisecond, most of it the map).
func DecodeMemoOf(s, name string) (ix *Index, ok bool) { return decodeMemo(s, name) }

// decodeMemo decodes s, keeping only the artifact named only (every one
// when only is "").
func decodeMemo(s, only string) (ix *Index, ok bool) {
	d := memoDecoder{s: s}
	if d.uvarint() != memoVersion {
		return nil, false
	}
	ix = New(d.str())
	n := d.uvarint()
	if n > uint64(len(s)) { // every artifact takes bytes
		return nil, false
	}
	if n > 0 && only == "" {
		// sized at once: growing the map was most of the decoding of
		// 5,000 artifacts
		ix.names, ix.arts = make([]string, 0, n), make(map[string]Artifact, n)
	}
	for range n {
		name := d.str()
		keep := only == "" || name == only
		a := Artifact{Type: d.str(), Path: d.str(), Description: d.str()}
		flags := d.byte()
		a.EmptyType, a.EmptyPath, a.Virtual = flags&1 != 0, flags&2 != 0, flags&4 != 0
		if labels := d.uvarint(); labels > 0 && labels <= uint64(len(s)) {
			if keep {
				a.Labels = make([]string, labels)
			}
			for i := range labels {
				if l := d.str(); keep {
					a.Labels[i] = l
				}
			}
		} else if labels > 0 {
			d.bad = true
		}
		if d.bad {
			return nil, false
		}
		if !keep {
			continue
		}
		if _, dup := ix.arts[name]; dup {
			return nil, false
		}
		ix.set(name, a)
	}
	if d.bad || d.off != len(s) {
		return nil, false
	}
	return ix, true
}

func appendMemoStr(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

// memoDecoder reads a memo; the first problem sticks in bad.
type memoDecoder struct {
	s   string
	off int
	bad bool
}

func (d *memoDecoder) uvarint() uint64 {
	if d.bad {
		return 0
	}
	v, n := binary.Uvarint([]byte(d.s[d.off:min(len(d.s), d.off+binary.MaxVarintLen64)]))
	if n <= 0 {
		d.bad = true
		return 0
	}
	d.off += n
	return v
}

func (d *memoDecoder) str() string {
	n := d.uvarint()
	if d.bad || n > uint64(len(d.s)-d.off) {
		d.bad = true
		return ""
	}
	s := d.s[d.off : d.off+int(n)]
	d.off += int(n)
	return s
}

func (d *memoDecoder) byte() byte {
	if d.bad || d.off >= len(d.s) {
		d.bad = true
		return 0
	}
	d.off++
	return d.s[d.off-1]
}
