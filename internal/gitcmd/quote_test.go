package gitcmd

import "testing"

func TestShellQuote(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"git", "push", "origin", "model@v1.0.0"}, "git push origin model@v1.0.0"},
		{[]string{"git", "push", "origin", "a#prod#3"}, "git push origin 'a#prod#3'"},
		{[]string{"x", ""}, "x ''"},
		{[]string{"it's"}, `'it'"'"'s'`},
		{[]string{"a b", "$HOME", "dir/sub=m@v1.0.0+b", "модель"}, "'a b' '$HOME' dir/sub=m@v1.0.0+b 'модель'"},
		{[]string{"--format=%(refname)%00"}, "'--format=%(refname)%00'"},
	}
	for _, tt := range tests {
		if got := ShellQuote(tt.args...); got != tt.want {
			t.Errorf("ShellQuote(%q) = %s, want %s", tt.args, got, tt.want)
		}
	}
}
