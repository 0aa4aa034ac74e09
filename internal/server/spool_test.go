package server

import (
	"errors"
	"io"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// A spooled document is rendered once and answered whole, with its
// length, to any number of requests at once.
func TestSpool(t *testing.T) {
	t.Parallel()
	sp := &spool{}
	doc := strings.Repeat("0123456789", 100_000)
	renders := 0
	write := func(w io.Writer) error {
		renders++
		_, err := io.WriteString(w, doc)
		return err
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			if !sp.serve(rec, write) {
				t.Error("not spooled")
			}
			if rec.Body.String() != doc || rec.Header().Get("Content-Length") != "1000000" {
				t.Errorf("answered %d bytes, Content-Length %s", rec.Body.Len(), rec.Header().Get("Content-Length"))
			}
		})
	}
	wg.Wait()
	if renders != 1 {
		t.Errorf("rendered %d times", renders)
	}
}

// A document that fails to render is not spooled: nothing is written,
// and the caller renders it itself.
func TestSpoolRenderError(t *testing.T) {
	t.Parallel()
	sp := &spool{}
	for range 2 {
		rec := httptest.NewRecorder()
		if sp.serve(rec, func(w io.Writer) error { return errors.New("broken") }) {
			t.Fatal("a failed render was served")
		}
		if rec.Body.Len() != 0 || rec.Header().Get("Content-Length") != "" {
			t.Errorf("wrote %d bytes", rec.Body.Len())
		}
	}
}
