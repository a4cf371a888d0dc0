-- Headless check used by tests/lsp/test_neovim.py and docs/editors.md: open the file given
-- on the command line, attach archctl's server as editors/neovim/archctl.lua does, wait for
-- diagnostics and write them as "LINE:COL CODE message" lines to $ARCHCTL_NVIM_OUT.
local here = debug.getinfo(1, "S").source:sub(2):match("(.*/)")
package.path = here .. "?.lua;" .. package.path
local archctl = require("archctl")
local cmd = vim.split(os.getenv("ARCHCTL_LSP_CMD") or "archctl lsp", " ")
local bufnr = vim.api.nvim_get_current_buf()
archctl.attach(bufnr, cmd)
local got = vim.wait(60000, function()
  return #vim.diagnostic.get(bufnr) > 0
end, 100)
local lines = {}
for _, d in ipairs(vim.diagnostic.get(bufnr)) do
  table.insert(lines, string.format("%d:%d %s %s", d.lnum + 1, d.col + 1, tostring(d.code), d.message))
end
if not got then
  table.insert(lines, "TIMEOUT")
end
vim.fn.writefile(lines, os.getenv("ARCHCTL_NVIM_OUT"))
vim.cmd("qa!")
