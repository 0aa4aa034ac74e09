package cisim

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestShellcheck runs shellcheck, when it is installed (.ci/run installs
// it), on the scripts of action.yml (bash) and of the GitLab template (sh,
// as busybox runs it), as actionlint does for the example workflows.
func TestShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not installed")
	}
	dir := t.TempDir()
	var files []struct{ name, shell string }
	for i, s := range loadAction(t).Runs.Steps {
		name := filepath.Join(dir, "action-step-"+string(rune('a'+i))+".sh")
		os.WriteFile(name, []byte(s.Run), 0o644)
		files = append(files, struct{ name, shell string }{name, "bash"})
	}
	job := loadTemplate(t, nil)["gto"]
	name := filepath.Join(dir, "gitlab-gto.sh")
	os.WriteFile(name, []byte(strings.Join(job.Script, "\n")), 0o644)
	files = append(files, struct{ name, shell string }{name, "sh"})
	for _, f := range files {
		out, err := exec.Command(sc, "--shell="+f.shell, f.name).CombinedOutput()
		if err != nil {
			t.Errorf("shellcheck %s: %v\n%s", filepath.Base(f.name), err, out)
		}
	}
}
