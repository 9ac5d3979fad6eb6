package main

import (
	"fmt"

	"github.com/onflow/fcl-dev-wallet/go/wallet"
	"github.com/spf13/cobra"
)

// devWalletCmd serves the FCL dev wallet (the same bundle flow-cli embeds)
// for the emulator's service account.
func devWalletCmd() *cobra.Command {
	var (
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
			fmt.Printf("dev wallet on http://localhost:%d (access node %s)\n", port, accessNode)
			server.StartStandalone()
			return nil
		},
	}
	cmd.Flags().UintVar(&port, "port", 8701, "port to serve the wallet on")
	cmd.Flags().StringVar(&accessNode, "access-node", "http://localhost:8888", "emulator REST API")
	cmd.Flags().StringVar(&address, "address", "", "service account address")
	cmd.Flags().StringVar(&privateKey, "private-key", "", "service account private key (hex)")
	cmd.Flags().StringVar(&publicKey, "public-key", "", "service account public key (hex, 64 bytes)")
	cmd.Flags().StringVar(&avatarURL, "avatar-url", "data:,", "avatar image prefix (kept local: no external requests)")
	return cmd
}
