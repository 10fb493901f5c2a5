/**
 * The PowerShell completion script: a native argument completer. Add
 * `denact --print-completions powershell | Out-String | Invoke-Expression` to
 * your `$PROFILE`.
 *
 * @module
 */

import type { CompletionOption } from "./model.ts";

/** Quotes `text` as one PowerShell string (single quotes; `'` doubled). */
function powershellQuote(text: string): string {
  return `'${text.replace(/['\u2018\u2019]/g, (c) => c + c)}'`;
}

function array(words: readonly string[]): string {
  return `@(${words.map(powershellQuote).join(", ")})`;
}

function entry(option: CompletionOption): string {
  const names = [...(option.short ? [`-${option.short}`] : []), `--${option.long}`];
  const offer = option.offer;
  const kind = offer ? offer.kind : "flag";
  const words = offer?.kind === "words" ? array(offer.words) : "@()";
  const comma = offer?.kind === "words" && offer.commaList ? "$true" : "$false";
  return `        @{ Names = ${array(names)}; Help = ${
    powershellQuote(option.help)
  }; Kind = '${kind}'; Words = ${words}; CommaList = ${comma} }`;
}

/** The PowerShell completion script for `options`. */
export function powershellScript(options: readonly CompletionOption[]): string {
  return [
    "# PowerShell completion for denact. Add to $PROFILE:",
    "#   denact --print-completions powershell | Out-String | Invoke-Expression",
    "Register-ArgumentCompleter -Native -CommandName 'denact' -ScriptBlock {",
    "    param($wordToComplete, $commandAst, $cursorPosition)",
    "    $options = @(",
    options.map(entry).join(",\n"),
    "    )",
    "    $before = @($commandAst.CommandElements |",
    "        Where-Object { $_.Extent.EndOffset -lt $cursorPosition -or",
    "            ($_.Extent.EndOffset -eq $cursorPosition -and $wordToComplete -eq '') } |",
    "        ForEach-Object { $_.Extent.Text })",
    "    $prev = if ($before.Count -gt 1) { $before[-1] } else { '' }",
    "    $word = $wordToComplete",
    "    $head = ''",
    "    if ($word -match '^(--[^=]+=)(.*)$') {",
    "        $head = $Matches[1]",
    "        $prev = $head.TrimEnd('=')",
    "        $word = $Matches[2]",
    "    }",
    "    $option = $options | Where-Object { $_.Names -contains $prev } | Select-Object -First 1",
    "    $results = @()",
    "    if ($null -ne $option -and $option.Kind -ne 'flag') {",
    "        if ($option.Kind -eq 'words') {",
    "            if ($option.CommaList -and $word.Contains(',')) {",
    "                $head += $word.Substring(0, $word.LastIndexOf(',') + 1)",
    "                $word = $word.Substring($word.LastIndexOf(',') + 1)",
    "            }",
    "            foreach ($w in $option.Words) {",
    '                if ($w -like "$word*") {',
    "                    $results += [System.Management.Automation.CompletionResult]::new(",
    "                        \"$head$w\", $w, 'ParameterValue', $w)",
    "                }",
    "            }",
    "        } elseif ($option.Kind -eq 'files') {",
    '            $results += Get-ChildItem -Path "$word*" -ErrorAction SilentlyContinue |',
    "                ForEach-Object { [System.Management.Automation.CompletionResult]::new(",
    "                    \"$head$($_.Name)\", $_.Name, 'ProviderItem', $_.FullName) }",
    "        }",
    "        return $results",
    "    }",
    "    foreach ($o in $options) {",
    "        foreach ($name in $o.Names) {",
    '            if ($name -like "$wordToComplete*") {',
    "                $results += [System.Management.Automation.CompletionResult]::new(",
    "                    $name, $name, 'ParameterName', $o.Help)",
    "            }",
    "        }",
    "    }",
    "    return $results",
    "}",
    "",
  ].join("\n");
}
