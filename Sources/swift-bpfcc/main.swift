import BPFDriver
import BPFFrontend
#if canImport(Glibc)
import Glibc
#endif

System.keepFreedMemory()
System.parseOnMainThread()
System.allowDeepRecursion()
exit(Driver.run(arguments: Array(CommandLine.arguments.dropFirst()), cacheBuilder: "/proc/self/exe"))
