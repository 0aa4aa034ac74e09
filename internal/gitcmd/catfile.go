package gitcmd

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/gto-dev/gto/internal/objectid"
)

// catFile is one long-lived `git cat-file` process speaking the batch
// protocol: for each object name it answers "<id> <type> <size>\n",
// followed for a contents request by <size> bytes and "\n"; or
// "<name> missing\n" (also "ambiguous") when the name does not resolve.
//
// It runs in one of three modes:
//   - modeCommand, `--batch-command --buffer` (git 2.36+): serves both
//     contents and info requests ("contents <name>", "info <name>"), and
//     answers a whole round trip at its "flush" in large writes;
//   - modeContents, `--batch`, and modeInfo, `--batch-check` (older git):
//     one kind of request each, unbuffered (without "flush" a buffered
//     process would hold back the last answers), so git writes once per
//     object, which is about twice as slow.
//
// A catFile is not safe for concurrent use; Batch serialises access.
type catFile struct {
	mode   catFileMode
	cmd    *exec.Cmd
	stdin  io.WriteCloser // a lazyPipe: its first write starts the process
	stdout *bufio.Reader  // over a lazyPipe too
	stderr *cappedBuffer
	ctx    context.Context // the process's lifetime, for error messages
	// begin starts the process once; begun says it was called. started is
	// closed once cmd.Start has returned, with startErr; see startCatFile.
	beginOnce sync.Once
	begun     atomic.Bool
	in        io.WriteCloser // the pipes, once begun
	out       io.ReadCloser
	started   chan struct{}
	startErr  error
	// err is set once the process is unusable (died, protocol error,
	// closed); every later request fails with it.
	err error
}

type catFileMode int

const (
	modeCommand catFileMode = iota
	modeContents
	modeInfo
)

var catFileArgs = map[catFileMode][]string{
	modeCommand:  {"cat-file", "--batch-command", "--buffer"},
	modeContents: {"cat-file", "--batch"},
	modeInfo:     {"cat-file", "--batch-check"},
}

// rawObject is one answer of cat-file. Data is nil for info requests.
type rawObject struct {
	ID, Type string
	Size     int64
	Data     []byte
}

// errCatFileClosed is the error of requests made after Close.
var errCatFileClosed = errors.New("git cat-file: batch is closed")

// startCatFile prepares cat-file in r in the given mode. The process
// starts at the first request (see begin): a command whose answers all
// come from the object cache and the memos (a warm read of a small
// registry) starts no git at all, nor waits for one to exit. With
// Options.Verbose it starts at once, so that the log of git commands
// stays what it was.
func startCatFile(ctx context.Context, r *Repo, mode catFileMode) (*catFile, error) {
	cmd := r.command(ctx, r.dir(), call{args: catFileArgs[mode]})
	stderr := &cappedBuffer{max: stderrCap}
	cmd.Stderr = stderr
	if cmd.Err != nil { // git is not on PATH
		return nil, commandError(ctx, cmd, cmd.Err, "")
	}
	p := &catFile{
		mode:    mode,
		cmd:     cmd,
		stderr:  stderr,
		ctx:     ctx,
		started: make(chan struct{}),
	}
	p.stdin = &lazyPipe{p: p}
	p.stdout = bufio.NewReaderSize(&lazyPipe{p: p}, 64<<10)
	if r.Verbose != nil {
		p.begin()
	}
	return p, nil
}

// begin starts the process, once. Starting a process blocks until the
// kernel has begun its exec, a millisecond or more: it is done in a
// goroutine, while the caller goes on (the requests it writes meanwhile
// wait in the pipe, and a read of an answer waits for the process).
// Should it fail to start, os/exec closes the pipes, the read fails, and
// fail (which awaits the start, as close does) reports why.
func (p *catFile) begin() {
	p.beginOnce.Do(func() {
		defer p.begun.Store(true) // once the pipes are set, or startErr
		in, err := p.cmd.StdinPipe()
		if err == nil {
			p.in = in
			p.out, err = p.cmd.StdoutPipe()
		}
		if err != nil {
			p.startErr = commandError(p.ctx, p.cmd, err, "")
			close(p.started)
			return
		}
		go func() {
			defer close(p.started)
			if err := p.cmd.Start(); err != nil {
				p.startErr = commandError(p.ctx, p.cmd, err, "")
			}
		}()
	})
}

// lazyPipe is either end of the pipes to cat-file: the first write or
// read starts the process.
type lazyPipe struct{ p *catFile }

func (l *lazyPipe) Write(b []byte) (int, error) {
	l.p.begin()
	if l.p.in == nil {
		return 0, l.p.startErr
	}
	return l.p.in.Write(b)
}

func (l *lazyPipe) Read(b []byte) (int, error) {
	l.p.begin()
	if l.p.out == nil {
		return 0, l.p.startErr
	}
	return l.p.out.Read(b)
}

func (l *lazyPipe) Close() error {
	if !l.p.begun.Load() || l.p.in == nil {
		return nil
	}
	return l.p.in.Close()
}

// await waits until the process has started; false when it could not
// start, which p.err then says.
func (p *catFile) await() bool {
	<-p.started
	if p.startErr != nil && p.err == nil {
		p.err = p.startErr
	}
	return p.startErr == nil
}

// roundTrip requests every spec (with contents, or info only) and calls
// each with the answers in order (nil for a spec that does not resolve).
// The requests are written from a goroutine while the answers are read:
// writing them all first would deadlock once both pipes fill up.
//
// An error returned by each does not stop the round trip (the answers must
// be read anyway); the first one is returned at the end. A protocol or I/O
// error kills the process and makes the catFile unusable.
func (p *catFile) roundTrip(specs []string, contents bool, each func(i int, obj *rawObject) error) error {
	return p.trip(specs, contents, func(i int, obj *rawObject, _ io.Reader) error { return each(i, obj) }, false)
}

// streamTrip is roundTrip for contents that hands each object's content to
// each as a reader of exactly obj.Size bytes (obj.Data stays nil), so that
// a large blob is never held in memory whole. What each leaves unread is
// skipped; the reader is valid only while each runs. A spec that does not
// resolve is given as a nil obj and reader.
func (p *catFile) streamTrip(specs []string, each func(i int, obj *rawObject, r io.Reader) error) error {
	return p.trip(specs, true, each, true)
}

func (p *catFile) trip(specs []string, contents bool, each func(i int, obj *rawObject, r io.Reader) error, stream bool) error {
	if err := p.ctx.Err(); err != nil {
		// The process is being stopped; do not race its answers.
		p.fail(err)
	}
	if p.err != nil {
		return p.err
	}
	if p.mode != modeCommand && contents != (p.mode == modeContents) {
		panic("gitcmd: request of the wrong kind for this cat-file process")
	}
	for _, s := range specs {
		// cat-file reads one name per line and drops a trailing CR.
		if s == "" || strings.Contains(s, "\n") || strings.HasSuffix(s, "\r") {
			return fmt.Errorf("git cat-file: cannot request object name %q", s)
		}
	}
	if len(specs) == 0 {
		return nil
	}
	written := make(chan error, 1)
	go func() { written <- p.write(specs, contents) }()
	var firstErr error
	for i, spec := range specs {
		obj, err := p.readHeader(spec)
		var r io.Reader
		var eachErr error
		switch {
		case err != nil || obj == nil || !contents:
		case stream:
			lr := &io.LimitedReader{R: p.stdout, N: obj.Size}
			r = lr
			eachErr = each(i, obj, r)
			err = p.skip(lr, obj.ID)
		default:
			err = p.readData(obj)
		}
		if err != nil {
			p.fail(err)
			<-written // the dead process's closed pipe unblocks the writer
			return p.err
		}
		if r == nil {
			eachErr = each(i, obj, nil)
		}
		if eachErr != nil && firstErr == nil {
			firstErr = eachErr
		}
	}
	if err := <-written; err != nil {
		p.fail(err)
		return p.err
	}
	return firstErr
}

// write sends the requests of one round trip.
func (p *catFile) write(specs []string, contents bool) error {
	w := bufio.NewWriterSize(p.stdin, 64<<10)
	prefix := ""
	if p.mode == modeCommand {
		prefix = "info "
		if contents {
			prefix = "contents "
		}
	}
	for _, s := range specs {
		w.WriteString(prefix)
		w.WriteString(s)
		w.WriteByte('\n')
	}
	if p.mode == modeCommand {
		w.WriteString("flush\n")
	}
	return w.Flush()
}

// readHeader reads the first line of the answer to spec: the object's id,
// type and size, or nil when spec does not resolve.
func (p *catFile) readHeader(spec string) (*rawObject, error) {
	line, err := p.stdout.ReadSlice('\n')
	if err != nil {
		if err == bufio.ErrBufferFull {
			err = fmt.Errorf("answer to %q is too long", spec)
		}
		return nil, err
	}
	line = line[:len(line)-1]
	// "<id> <type> <size>", or "<spec> missing" / "<spec> ambiguous".
	sp1 := bytes.IndexByte(line, ' ')
	sp2 := bytes.LastIndexByte(line, ' ')
	if sp1 < 0 {
		return nil, fmt.Errorf("unexpected answer %q to %q", line, spec)
	}
	if tail := string(line[sp2+1:]); (tail == "missing" || tail == "ambiguous") && string(line[:sp2]) == spec {
		return nil, nil
	}
	if sp2 == sp1 || !objectid.Is(line[:sp1]) {
		return nil, fmt.Errorf("unexpected answer %q to %q", line, spec)
	}
	size, err := strconv.ParseInt(string(line[sp2+1:]), 10, 64)
	if err != nil || size < 0 {
		return nil, fmt.Errorf("unexpected answer %q to %q", line, spec)
	}
	return &rawObject{ID: string(line[:sp1]), Type: objectType(line[sp1+1 : sp2]), Size: size}, nil
}

// read reads the whole answer to spec: header and, for a contents
// request, the content.
func (p *catFile) read(spec string, contents bool) (*rawObject, error) {
	obj, err := p.readHeader(spec)
	if err == nil && obj != nil && contents {
		err = p.readData(obj)
	}
	if err != nil {
		return nil, err
	}
	return obj, nil
}

// readData reads obj's content and its terminating newline into obj.Data.
func (p *catFile) readData(obj *rawObject) error {
	buf := make([]byte, obj.Size+1)
	if _, err := io.ReadFull(p.stdout, buf); err != nil {
		return err
	}
	if buf[obj.Size] != '\n' {
		return fmt.Errorf("content of %s is not followed by a newline", obj.ID)
	}
	obj.Data = buf[:obj.Size:obj.Size]
	return nil
}

// skip reads what is left of a streamed content and its terminating
// newline.
func (p *catFile) skip(lr *io.LimitedReader, id string) error {
	if _, err := io.Copy(io.Discard, lr); err != nil {
		return err
	}
	if lr.N > 0 {
		return io.ErrUnexpectedEOF
	}
	if c, err := p.stdout.ReadByte(); err != nil || c != '\n' {
		if err != nil {
			return err
		}
		return fmt.Errorf("content of %s is not followed by a newline", id)
	}
	return nil
}

// objectType returns the type name without allocating for the four types.
func objectType(b []byte) string {
	for _, t := range [...]string{"tag", "commit", "tree", "blob"} {
		if string(b) == t {
			return t
		}
	}
	return string(b)
}

// fail makes the process unusable: it is killed (so that a blocked writer
// returns) and reaped, and p.err says why.
func (p *catFile) fail(cause error) {
	if p.err != nil {
		return
	}
	if !p.begun.Load() { // nothing to stop
		p.err = fmt.Errorf("git cat-file: %w", cause)
		if p.ctx.Err() != nil {
			p.err = fmt.Errorf("git cat-file: %w", p.ctx.Err())
		}
		return
	}
	if !p.await() {
		return
	}
	p.cmd.Process.Kill()
	p.cmd.Wait()
	switch {
	case p.ctx.Err() != nil:
		p.err = fmt.Errorf("git cat-file: %w", p.ctx.Err())
	case firstMessageLine(p.stderr.String()) != "":
		p.err = &Error{Args: p.cmd.Args[1:], ExitCode: p.cmd.ProcessState.ExitCode(), Stderr: p.stderr.String()}
	case errors.Is(cause, io.EOF) || errors.Is(cause, io.ErrUnexpectedEOF):
		p.err = errors.New("git cat-file: exited unexpectedly")
	default:
		p.err = fmt.Errorf("git cat-file: %w", cause)
	}
}

// close ends the process: at the end of its input cat-file exits. A process
// that already failed returns nil: its request reported the failure.
func (p *catFile) close() error {
	if p.err != nil {
		return nil
	}
	if !p.begun.Load() { // never asked anything: never started
		p.err = errCatFileClosed
		return nil
	}
	if !p.await() {
		p.stdin.Close()
		return p.startErr
	}
	p.stdin.Close()
	err := p.cmd.Wait()
	p.err = errCatFileClosed
	return commandError(p.ctx, p.cmd, err, p.stderr.String())
}
