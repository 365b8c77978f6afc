package mail

import (
	"bufio"
	"context"
	"net"
	"net/mail"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"carecoord/internal/config"
)

// fakeSMTP is the smallest SMTP server that accepts one message: enough to
// see what the client sends, without a mail server on the machine.
func fakeSMTP(t *testing.T) (port int, got <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	out := make(chan string, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		tp := textproto.NewConn(conn)
		var log strings.Builder
		_ = tp.PrintfLine("220 fake ESMTP")
		for {
			line, err := tp.ReadLine()
			if err != nil {
				out <- log.String()
				return
			}
			cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
			log.WriteString(line + "\n")
			switch cmd {
			case "EHLO":
				_ = tp.PrintfLine("250 fake")
			case "DATA":
				_ = tp.PrintfLine("354 go ahead")
				data, _ := tp.ReadDotBytes()
				log.Write(data)
				_ = tp.PrintfLine("250 queued")
			case "QUIT":
				_ = tp.PrintfLine("221 bye")
				out <- log.String()
				return
			default:
				_ = tp.PrintfLine("250 ok")
			}
		}
	}()
	return ln.Addr().(*net.TCPAddr).Port, out
}

func TestSMTP_SendsOneMessage(t *testing.T) {
	t.Parallel()
	port, got := fakeSMTP(t)
	s := NewSMTP(config.SMTP{Host: "127.0.0.1", Port: port, From: "CareCoord <care@example.org>"})
	err := s.Send(context.Background(), Message{To: "ana@harbour.test", Subject: "You're invited to Harbour Care – CareCoord", Body: "Open this link:\nhttps://care.example.org/invitations/abc\n"})
	if err != nil {
		t.Fatal(err)
	}
	session := <-got
	for _, want := range []string{
		"MAIL FROM:<care@example.org>", "RCPT TO:<ana@harbour.test>",
		"To: <ana@harbour.test>", "Subject: =?utf-8?q?", "Content-Type: text/plain; charset=utf-8",
		"https://care.example.org/invitations/abc",
	} {
		if !strings.Contains(session, want) {
			t.Errorf("SMTP session lacks %q:\n%s", want, session)
		}
	}
}

func TestSMTP_ReportsAnUnreachableServer(t *testing.T) {
	t.Parallel()
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := NewSMTP(config.SMTP{Host: "127.0.0.1", Port: port, From: "care@example.org"})
	if err := s.Send(context.Background(), Message{To: "ana@harbour.test", Subject: "x", Body: "y"}); err == nil {
		t.Error("sending to a closed port succeeded")
	}
}

func TestCompose_SubjectCannotAddHeaders(t *testing.T) {
	t.Parallel()
	msg := string(Compose(mustAddress(t, "care@example.org"), mustAddress(t, "ana@harbour.test"),
		Message{Subject: "Hello\r\nBcc: evil@example.org", Body: "x"}, testTime))
	headers, _, _ := strings.Cut(msg, "\r\n\r\n")
	r := textproto.NewReader(bufio.NewReader(strings.NewReader(headers + "\r\n\r\n")))
	h, err := r.ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	if h.Get("Bcc") != "" || !strings.Contains(h.Get("Subject"), "Bcc") {
		t.Errorf("headers: %v", h)
	}
}

var testTime = time.Date(2026, 11, 2, 9, 30, 0, 0, time.UTC)

func mustAddress(t *testing.T, s string) *mail.Address {
	t.Helper()
	a, err := mail.ParseAddress(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
