//go:build unix

package exercises

import (
	"io/fs"
	"os/exec"
	"syscall"
)

var goNames = []string{"go"}

func executable(fi fs.FileInfo) bool { return fi.Mode()&0o111 != 0 }

// ownGroup puts the command in a process group of its own and makes
// cancelling it kill the whole group: go test and the test binary it runs.
func ownGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
