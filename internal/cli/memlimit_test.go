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
