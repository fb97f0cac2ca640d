import BPFDriver
#if canImport(Glibc)
import Glibc
#endif

exit(Driver.run(arguments: Array(CommandLine.arguments.dropFirst())))
