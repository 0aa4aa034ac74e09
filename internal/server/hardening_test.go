package server_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/server"
)

func TestShortToken(t *testing.T) {
	t.Parallel()
	r := fixture(t)
	for _, tc := range []struct {
		token string
		want  error
	}{
		{"", server.ErrNoToken},
		{"a", server.ErrShortToken},
		{"0123456789abcde", server.ErrShortToken},
		{"ééééééééééééééé", server.ErrShortToken}, // 15 characters, 30 bytes
		{"0123456789abcdef\n", server.ErrTokenSpace},
		{"0123456789 abcdef", server.ErrTokenSpace},
		{"0123456789abcdef", nil},
	} {
		if err := server.CheckToken(tc.token); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("CheckToken(%q) = %v, want %v", tc.token, err, tc.want)
		}
		_, err := server.New(t.Context(), server.Options{Open: openFunc(r, r.Dir, ""), AllowWrite: true, Token: tc.token})
		if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("New with token %q: %v, want %v", tc.token, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "--") || strings.Contains(err.Error(), "\n")) {
			t.Errorf("New with token %q: %q names a flag or has two lines", tc.token, err)
		}
	}
	// Without writes, no token is needed.
	if _, err := server.New(t.Context(), server.Options{Open: openFunc(r, r.Dir, ""), Token: "a"}); err != nil {
		t.Errorf("New read-only with a short token: %v", err)
	}
}
