// Command hellohttp is a hello-world that links net/http's client and
// server, as gto does for `serve` and the webhooks of `watch`: what it costs
// over bench/hello is the start-up floor net/http alone sets
// (bench/RESULTS.md, "Start-up").
package main

import (
	"fmt"
	"net/http"
	"os"
)

func main() {
	// Never true in a measurement; it keeps the client and the server
	// reachable, so the linker keeps them and their packages' init runs.
	if url := os.Getenv("HELLOHTTP_GET"); url != "" {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
		}
		fmt.Println(http.ListenAndServe("127.0.0.1:0", http.NewServeMux()))
	}
	fmt.Println("hello")
}
