package cli

import "testing"

// The object caches are mapped only by the commands that end by themselves.
func TestRunsUntilStopped(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		args []string
		want bool
	}{
		{[]string{"show", "--json"}, false},
		{[]string{"history", "-r", "repo"}, false},
		{[]string{"events"}, false},
		{[]string{"events", "--since", "x"}, false},
		{[]string{"serve", "--addr", "127.0.0.1:0"}, true},
		{[]string{"-v", "watch", "gto-watch.yaml"}, true},
		{[]string{"events", "--follow"}, true},
		{[]string{"events", "--follow=true"}, true},
		{[]string{"events", "-f"}, true},
		{[]string{"events", "-qf"}, true},
		{[]string{"show", "serve"}, true}, // an artifact called serve: the safe side
	} {
		if got := runsUntilStopped(tt.args); got != tt.want {
			t.Errorf("runsUntilStopped(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestHeadroomNarrowsForALargeHeap(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ live, want int64 }{
		{0, 0},
		{80 << 20, 20 << 20},
		{256<<20 - 4, (256<<20 - 4) / 4},
		{256 << 20, 32 << 20},
		{400 << 20, 50 << 20},
	} {
		if got := headroom(tc.live); got != tc.want {
			t.Errorf("headroom(%d) = %d, want %d", tc.live, got, tc.want)
		}
	}
}
