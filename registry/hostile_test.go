package registry

import (
	"errors"
	"strings"
	"testing"

	"github.com/gto-dev/gto/internal/gitcmd"
)

// A revision that does not resolve is quoted with escapes: a newline or a
// carriage return in it cannot break the one-line message or hide text.
func TestRefErrorQuotesTheRevision(t *testing.T) {
	notFound := &Error{Kind: ErrNotFound, Msg: "x", Err: gitcmd.ErrRefNotFound}
	for _, rev := range []string{"HEAD\nx", "HEAD\r", "--output=pwned", "$(touch pwned)"} {
		err := refError(rev, notFound)
		if msg := err.Error(); strings.ContainsAny(msg, "\n\r") || !strings.Contains(msg, "was not found in the repository") {
			t.Errorf("refError(%q) = %q", rev, msg)
		}
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("refError(%q) is not ErrNotFound", rev)
		}
	}
}

func TestCheckArtifactPath(t *testing.T) {
	for _, tt := range []struct {
		path      string
		mustExist bool
		want      string // "" = accepted
	}{
		{"models/m.pkl", true, ""},
		{"./models/../models/m.pkl", true, ""},
		{"/mnt/models/m.pkl", false, ""},
		{"s3://bucket/../../m.pkl", false, ""},
		{"https://example.com/a?b=c", false, ""},
		{"../m.pkl", false, "leads outside the repository"},
		{"../m.pkl", true, "leads outside the repository"},
		{"a/../../m.pkl", false, "leads outside the repository"},
		{`..\m.pkl`, false, "leads outside the repository"},
		{"..", true, "leads outside the repository"},
		{"/etc/passwd", true, "is absolute"},
		{"s3://bucket/m.pkl", true, ""}, // refused later: not committed
	} {
		err := checkArtifactPath(tt.path, tt.mustExist)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("checkArtifactPath(%q, %v) = %v, want nil", tt.path, tt.mustExist, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("checkArtifactPath(%q, %v) = %v, want %q", tt.path, tt.mustExist, err, tt.want)
		case err != nil && !errors.Is(err, ErrInvalid):
			t.Errorf("checkArtifactPath(%q, %v) = %v, not ErrInvalid", tt.path, tt.mustExist, err)
		}
	}
}
