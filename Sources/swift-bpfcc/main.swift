import BPFDriver
import BPFFrontend
#if canImport(Glibc)
import Glibc
#endif

System.keepFreedMemory()
exit(Driver.run(arguments: Array(CommandLine.arguments.dropFirst())))
