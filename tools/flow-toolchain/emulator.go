package main

import (
	"github.com/onflow/flow-emulator/cmd/emulator/start"
	emulator "github.com/onflow/flow-emulator/emulator"
	"github.com/onflow/flow-go-sdk/crypto"
	"github.com/spf13/cobra"
)

// emulatorCmd wraps the flow-emulator's own start command: same flags, same
// FLOW_* environment variables. The service key comes from --service-priv-key
// (flow.json's emulator-account) so every tool agrees on it. One default
// differs: --host is 127.0.0.1 (flow-emulator's default is every interface),
// so the REST, gRPC and admin APIs of a development chain are not offered to
// the network unless asked for (--host / FLOW_HOST).
func emulatorCmd() *cobra.Command {
	cmd := start.Cmd(start.StartConfig{
		GetServiceKey: func(
			init bool,
			sigAlgo crypto.SignatureAlgorithm,
			hashAlgo crypto.HashAlgorithm,
		) (crypto.PrivateKey, crypto.SignatureAlgorithm, crypto.HashAlgorithm) {
			if sigAlgo == crypto.UnknownSignatureAlgorithm {
				sigAlgo = emulator.DefaultServiceKeySigAlgo
			}
			if hashAlgo == crypto.UnknownHashAlgorithm {
				hashAlgo = emulator.DefaultServiceKeyHashAlgo
			}
			key := emulator.GenerateDefaultServiceKey(sigAlgo, hashAlgo)
			return key.PrivateKey, key.SigAlgo, key.HashAlgo
		},
		RestMiddlewares: []start.HttpMiddleware{},
	})
	cmd.Use = "emulator"
	if host := cmd.PersistentFlags().Lookup("host"); host != nil {
		_ = host.Value.Set("127.0.0.1")
		host.DefValue = "127.0.0.1"
		host.Usage = "host to listen on for the emulator's gRPC, REST and admin servers"
	}
	return cmd
}
