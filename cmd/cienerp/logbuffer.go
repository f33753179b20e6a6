package main

import (
	"bufio"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// flushEvery bounds how long a log line waits in the buffer.
const flushEvery = 100 * time.Millisecond

// logBuffer batches the log's writes: one line per request written on its
// own is a system call per request. Lines wait at most flushEvery, and are
// written out when the process ends: after run returns (shutdown on
// SIGTERM or SIGINT included) and on SIGQUIT or SIGABRT, before the
// runtime's own dump.
type logBuffer struct {
	mu  sync.Mutex
	w   *bufio.Writer
	out io.Writer
}

func newLogBuffer(out io.Writer) *logBuffer {
	return &logBuffer{w: bufio.NewWriterSize(out, 64<<10), out: out}
}

// Write buffers p; a write larger than the buffer goes out at once.
func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.w.Write(p)
}

// Flush writes out what is buffered.
func (b *logBuffer) Flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	_ = b.w.Flush()
}

// run flushes every flushEvery, and on a crash signal flushes and then
// lets the signal do what it does by default, until stop is closed.
func (b *logBuffer) run(stop <-chan struct{}) {
	crash := make(chan os.Signal, 1)
	signal.Notify(crash, syscall.SIGQUIT, syscall.SIGABRT)
	defer signal.Stop(crash)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			b.Flush()
		case sig := <-crash:
			b.Flush()
			signal.Reset(sig)
			_ = syscall.Kill(os.Getpid(), sig.(syscall.Signal))
		case <-stop:
			b.Flush()
			return
		}
	}
}
