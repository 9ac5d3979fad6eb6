package main

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"github.com/onflow/fcl-dev-wallet/go/wallet"
	"github.com/spf13/cobra"
)

// monacoLoader replaces the Monaco editor the wallet's approve screen loads from a CDN.
//
//go:embed walletassets/monaco-loader.js
var monacoLoader []byte

const monacoPath = "/flareflow/monaco/vs"

// The wallet bundle's @monaco-editor/loader points at jsdelivr; the served JS points at monacoPath instead.
var monacoCDN = regexp.MustCompile(`https://cdn\.jsdelivr\.net/npm/monaco-editor@[0-9A-Za-z.\-]+/min/vs`)

// devWalletCmd serves the FCL dev wallet (the same bundle flow-cli embeds)
// for the emulator's service account, on loopback, requesting nothing from
// outside the machine.
func devWalletCmd() *cobra.Command {
	var (
		host       string
		port       uint
		accessNode string
		address    string
		privateKey string
		publicKey  string
		avatarURL  string
	)
	cmd := &cobra.Command{
		Use:   "dev-wallet",
		Short: "Serve the FCL dev wallet for the local emulator",
		RunE: func(cmd *cobra.Command, args []string) error {
			if address == "" || privateKey == "" || publicKey == "" {
				return fmt.Errorf("--address, --private-key and --public-key are required (the emulator service account)")
			}
			server, err := wallet.NewHTTPServer(port, &wallet.FlowConfig{
				Address:    address,
				PrivateKey: privateKey,
				PublicKey:  publicKey,
				AccessNode: accessNode,
				AvatarUrl:  avatarURL,
			})
			if err != nil {
				return err
			}
			handler, err := walletHandler(server)
			if err != nil {
				return err
			}
			// The wallet signs as the emulator's service account (the contract admin): it listens
			// where --host says, loopback unless asked otherwise, not on every interface as
			// fcl-dev-wallet's own server does.
			srv := &http.Server{
				Addr:              net.JoinHostPort(host, strconv.FormatUint(uint64(port), 10)),
				Handler:           localMonaco(handler),
				ReadHeaderTimeout: 10 * time.Second,
			}
			listener, err := net.Listen("tcp", srv.Addr)
			if err != nil {
				return err
			}
			fmt.Printf("dev wallet on http://%s (access node %s)\n", listener.Addr(), accessNode)
			done := make(chan os.Signal, 1)
			signal.Notify(done, os.Interrupt, syscall.SIGTERM)
			failed := make(chan error, 1)
			go func() { failed <- srv.Serve(listener) }()
			select {
			case <-done:
				return srv.Close()
			case err := <-failed:
				return err
			}
		},
	}
	cmd.Flags().StringVar(&host, "host", "127.0.0.1", "address to listen on")
	cmd.Flags().UintVar(&port, "port", 8701, "port to serve the wallet on")
	cmd.Flags().StringVar(&accessNode, "access-node", "http://localhost:8888", "emulator REST API")
	cmd.Flags().StringVar(&address, "address", "", "service account address")
	cmd.Flags().StringVar(&privateKey, "private-key", "", "service account private key (hex)")
	cmd.Flags().StringVar(&publicKey, "public-key", "", "service account public key (hex, 64 bytes)")
	cmd.Flags().StringVar(&avatarURL, "avatar-url", "data:,", "avatar image prefix (kept local: no external requests)")
	return cmd
}

// walletHandler is the router of fcl-dev-wallet's server. v0.9.1 exposes it only inside an
// unexported *http.Server bound to every interface; the handler is taken out so that this
// command can listen on loopback. go.sum pins the module, and a different layout fails here,
// loudly, rather than serving on every interface.
func walletHandler(server *wallet.Server) (http.Handler, error) {
	field := reflect.ValueOf(server).Elem().FieldByName("http")
	if !field.IsValid() || field.Type() != reflect.TypeOf(&http.Server{}) || field.IsNil() {
		return nil, fmt.Errorf("fcl-dev-wallet's Server has no *http.Server field named http: update wallet.go for this version")
	}
	inner := (*http.Server)(unsafe.Pointer(field.Pointer()))
	if inner.Handler == nil {
		return nil, fmt.Errorf("fcl-dev-wallet's server has no handler")
	}
	return inner.Handler, nil
}

// localMonaco serves the Monaco stand-in and rewrites the CDN address in the wallet's scripts.
func localMonaco(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == monacoPath+"/loader.js" {
			w.Header().Set("Content-Type", "application/javascript; charset=utf-8")
			w.Header().Set("Cache-Control", "no-cache, no-store, must-revalidate")
			_, _ = w.Write(monacoLoader)
			return
		}
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, ".js") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		body := rec.Body.Bytes()
		if monacoCDN.Match(body) {
			body = monacoCDN.ReplaceAll(body, []byte(monacoPath))
		}
		for name, values := range rec.Header() {
			w.Header()[name] = values
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.Code)
		_, _ = io.Copy(w, bytes.NewReader(body))
	})
}
