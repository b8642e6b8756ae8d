/**
 * The built-in demo: a small module set held in memory, so `gomodproxy serve`
 * works with no repositories at all. `example.com/hello` has two releases and
 * a pre-release; `example.com/hello/v2` lives in the v2/ directory of the same
 * repository (a major-version subdirectory).
 */
import { MemorySource } from "./sources/memory.ts";

const hello = (greeting: string) =>
  `// Package hello says hello.\npackage hello\n\n// Hello returns a greeting.\nfunc Hello() string {\n\treturn "${greeting}"\n}\n`;

/** demoSource returns a MemorySource with the demo modules. */
export function demoSource(): MemorySource {
  return new MemorySource([{
    root: "example.com/hello",
    commits: [
      {
        id: "v1.0.0",
        date: "2024-01-15T10:00:00Z",
        message: "hello: first release\n",
        files: {
          "go.mod": "module example.com/hello\n\ngo 1.19\n",
          "hello.go": hello("Hello, world."),
          "LICENSE": "Demo module for gomodproxy. Use it freely.\n",
        },
      },
      {
        id: "v1.1.0",
        date: "2024-03-01T09:30:00Z",
        message: "hello: friendlier greeting\n",
        files: { "hello.go": hello("Hello, gopher!") },
      },
      {
        id: "v1.2.0-beta.1",
        date: "2024-05-20T16:45:00Z",
        message: "hello: try a new greeting\n",
        files: { "hello.go": hello("Hello from the beta.") },
      },
      {
        id: "v2",
        date: "2024-06-01T12:00:00Z",
        message: "hello/v2: greet by name\n",
        files: {
          "v2/go.mod": "module example.com/hello/v2\n\ngo 1.19\n",
          "v2/hello.go":
            "// Package hello says hello.\npackage hello\n\n// Hello greets name.\nfunc Hello(name string) string {\n\treturn \"Hello, \" + name + \"!\"\n}\n",
        },
      },
      {
        id: "tip",
        date: "2024-07-04T08:00:00Z",
        message: "docs: say what the module is for\n",
        files: { "README.md": "# hello\n\nThe gomodproxy demo module.\n" },
      },
    ],
    tags: {
      "v1.0.0": "v1.0.0",
      "v1.1.0": { commit: "v1.1.0", message: "v1.1.0\n" },
      "v1.2.0-beta.1": "v1.2.0-beta.1",
      "v2.0.0": "v2",
    },
  }]);
}
