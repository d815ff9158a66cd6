//go:build linux

package main

import "syscall"

// canHoldDownloads: smallReceiveBuffer does hold a download back on this system.
const canHoldDownloads = true

// smallReceiveBuffer makes a client socket hold a slow download back, before it connects: a
// small receive buffer (a small TCP window) and a small announced MSS. The server's send
// buffer grows with its segment size, so on loopback (MSS 64 KiB) it would otherwise swallow a
// whole seeded file at once and the handler would finish before the client read anything.
func smallReceiveBuffer(_, _ string, c syscall.RawConn) error {
	var err error
	if cerr := c.Control(func(fd uintptr) {
		if err = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096); err != nil {
			return
		}
		err = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, 536)
	}); cerr != nil {
		return cerr
	}
	return err
}
