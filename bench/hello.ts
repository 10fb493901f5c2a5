// The baseline for start-up and memory benchmarks: the smallest Deno program that prints.
console.log("hello");
if (Deno.args[0] === "--linger") await new Promise((resolve) => setTimeout(resolve, 3000));
