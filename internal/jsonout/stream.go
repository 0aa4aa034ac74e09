package jsonout

import (
	"io"
	"runtime"
	"strconv"
	"unicode/utf8"

	"github.com/gto-dev/gto/model"
)

// WriteHistory writes the document of `gto history --json` (see History)
// straight from the events, as Encode would print it, without building the
// document in memory: a journal of 50,000 tags is tens of megabytes of JSON.
// Chunks of events are rendered on every core, and written in order.
func WriteHistory(w io.Writer, events []*model.Event) error {
	if len(events) == 0 {
		_, err := io.WriteString(w, "[]\n")
		return err
	}
	chunks := (len(events) + historyChunk - 1) / historyChunk
	rendered := make([]chan []byte, chunks)
	free := make(chan []byte, runtime.GOMAXPROCS(0)+1) // buffers to reuse
	render := func(k int) {
		var buf []byte
		select {
		case buf = <-free:
		default:
			// sized for the chunk: grown by doubling, a 200 KB buffer is
			// copied some ten times (a tenth of history --json on 300 tags)
			buf = make([]byte, 0, min(len(events), historyChunk)*eventBytes)
		}
		buf = buf[:0]
		if k == 0 {
			buf = append(buf, "[\n"...)
		}
		for i := k * historyChunk; i < min(len(events), (k+1)*historyChunk); i++ {
			buf = appendHistoryEvent(buf, events[i], i == len(events)-1)
		}
		if k == chunks-1 {
			buf = append(buf, "]\n"...)
		}
		rendered[k] <- buf
	}
	if chunks == 1 {
		// nothing to render meanwhile: a goroutine would only cost a
		// thread's wake-up
		rendered[0] = make(chan []byte, 1)
		render(0)
		_, err := w.Write(<-rendered[0])
		return err
	}
	// At most GOMAXPROCS chunks are rendered ahead of the one written; the
	// channels are buffered, so an early return leaves no goroutine blocked.
	next := 0
	for ; next < min(chunks, runtime.GOMAXPROCS(0)); next++ {
		rendered[next] = make(chan []byte, 1)
		go render(next)
	}
	for k := range chunks {
		buf := <-rendered[k]
		if next < chunks {
			rendered[next] = make(chan []byte, 1)
			go render(next)
			next++
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		select {
		case free <- buf:
		default:
		}
	}
	return nil
}

// historyChunk is how many events one goroutine renders at a time (about
// 200 KB of JSON).
const historyChunk = 512

// eventBytes is about the most one event of the history document takes
// (some 400 bytes with a long message), to size a chunk's buffer.
const eventBytes = 512

// appendHistoryEvent appends one event of the history document, with the
// comma that follows it unless it is the last.
func appendHistoryEvent(buf []byte, e *model.Event, last bool) []byte {
	buf = append(buf, "    {\n"...)
	buf = appendKey(buf, "timestamp")
	buf = appendTime(buf, e.Time)
	buf = appendKey(buf, "artifact")
	buf = appendQuoted(buf, e.Artifact)
	buf = appendKey(buf, "event")
	buf = appendQuoted(buf, e.Kind.String())
	buf = appendKey(buf, "priority")
	buf = strconv.AppendInt(buf, int64(e.Kind), 10)
	buf = appendKey(buf, "version")
	buf = appendNullable(buf, strOrNil(e.Version))
	buf = appendKey(buf, "stage")
	buf = appendNullable(buf, strOrNil(e.Stage))
	buf = appendKey(buf, "commit")
	buf = appendQuoted(buf, e.Commit)
	buf = appendKey(buf, "author")
	buf = appendQuoted(buf, e.Author)
	buf = appendKey(buf, "author_email")
	buf = appendQuoted(buf, e.AuthorEmail)
	buf = appendKey(buf, "message")
	buf = appendQuoted(buf, e.Message)
	buf = appendKey(buf, "ref")
	buf = appendQuoted(buf, e.Ref())
	buf = append(buf, "\n    }"...)
	if !last {
		buf = append(buf, ',')
	}
	return append(buf, '\n')
}

// appendKey appends the separator after the previous field (if any) and
// `"key": ` of a field of an object nested at the second level.
func appendKey(buf []byte, key string) []byte {
	if buf[len(buf)-1] != '\n' {
		buf = append(buf, ",\n"...)
	}
	buf = append(buf, "        \""...)
	buf = append(buf, key...)
	return append(buf, "\": "...)
}

func appendNullable(buf []byte, s *string) []byte {
	if s == nil {
		return append(buf, "null"...)
	}
	return appendQuoted(buf, *s)
}

const hexDigits = "0123456789abcdef"

// appendQuoted appends s as a JSON string escaped like Python's json.dumps
// with ensure_ascii: everything outside printable ASCII becomes \uXXXX
// (surrogate pairs above U+FFFF), with the short forms \" \\ \n \r \t \b \f.
func appendQuoted(buf []byte, s string) []byte {
	buf = append(buf, '"')
	plain := 0 // start of the run of bytes that need no escaping
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f && c != '"' && c != '\\' {
			i++
			continue
		}
		buf = append(buf, s[plain:i]...)
		size := 1
		switch c {
		case '"':
			buf = append(buf, `\"`...)
		case '\\':
			buf = append(buf, `\\`...)
		case '\n':
			buf = append(buf, `\n`...)
		case '\r':
			buf = append(buf, `\r`...)
		case '\t':
			buf = append(buf, `\t`...)
		case '\b':
			buf = append(buf, `\b`...)
		case '\f':
			buf = append(buf, `\f`...)
		default:
			if c < utf8.RuneSelf {
				buf = appendU(buf, rune(c))
				break
			}
			var r rune
			r, size = utf8.DecodeRuneInString(s[i:])
			if r > 0xFFFF {
				r -= 0x10000
				buf = appendU(buf, 0xD800+(r>>10))
				buf = appendU(buf, 0xDC00+(r&0x3FF))
			} else {
				buf = appendU(buf, r)
			}
		}
		i += size
		plain = i
	}
	buf = append(buf, s[plain:]...)
	return append(buf, '"')
}

func appendU(buf []byte, r rune) []byte {
	return append(buf, '\\', 'u', hexDigits[r>>12&0xF], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
}
