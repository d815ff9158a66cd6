//go:build !linux

package main

import "syscall"

const canHoldDownloads = false

// smallReceiveBuffer does nothing here: the slow reader alone holds the download back (TestGracefulShutdownLetsAnInFlightDownloadFinish may then see the handler finish before the shutdown).
func smallReceiveBuffer(_, _ string, _ syscall.RawConn) error { return nil }
