// Command hello is the yardstick of gto's start-up: a hello-world built with
// the same toolchain and flags as gto (bench/RESULTS.md, "Start-up").
package main

import "fmt"

func main() { fmt.Println("hello") }
