package main

import (
	"context"
	"net"
	"testing"
	"time"
)

// A mail server that accepts the connection and then says nothing must not
// hold the outbox worker (and the row it locked) for ever.
func TestSendMailGivesUpOnAStalledServer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accept, never greet
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- sendMail(ctx, ln.Addr().String(), nil, "from@example.org", "to@example.org", []byte("x"))
	}()
	select {
	case err := <-done:
		if err == nil {
			t.Error("a stalled server counted as a delivery")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sendMail did not give up on a stalled server")
	}
}
