package model

import (
	"strings"
	"testing"
)

// TestPackRefsAdvice: advice from PackRefsThreshold loose tags on, none
// below, and words that name no flag.
func TestPackRefsAdvice(t *testing.T) {
	t.Parallel()
	if got := PackRefsAdvice(PackRefsThreshold - 1); got != nil {
		t.Errorf("%d loose tags: %v, want no advice", PackRefsThreshold-1, got)
	}
	got := PackRefsAdvice(PackRefsThreshold)
	if len(got) != 1 || got[0].Code != AdvicePackRefs || !strings.HasPrefix(got[0].Message, "1000 tags are loose ref files") ||
		!strings.Contains(got[0].Message, `"git pack-refs"`) || strings.Contains(got[0].Message, "--") {
		t.Errorf("%d loose tags: %+v", PackRefsThreshold, got)
	}
}
