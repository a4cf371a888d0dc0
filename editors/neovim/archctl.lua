-- archctl language server for Neovim (0.7 or newer): start it for spec files.
-- Put this file on your runtimepath (e.g. ~/.config/nvim/lua/archctl.lua) and call
-- require("archctl").setup() from init.lua. Neovim 0.8+ users may prefer vim.lsp.start
-- (docs/editors.md shows both).
local M = {}

local function root_of(path)
  local markers = { "archctl.toml", "pyproject.toml", ".git" }
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while dir and dir ~= "/" do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    dir = vim.fn.fnamemodify(dir, ":h")
  end
  return vim.fn.fnamemodify(path, ":p:h")
end

local clients = {}

function M.attach(bufnr, cmd)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local root = root_of(path)
  local id = clients[root]
  if id == nil then
    id = vim.lsp.start_client({
      name = "archctl",
      cmd = cmd or { "archctl", "lsp" },
      root_dir = root,
    })
    clients[root] = id
  end
  vim.lsp.buf_attach_client(bufnr, id)
  return id
end

function M.setup(opts)
  opts = opts or {}
  vim.api.nvim_create_autocmd({ "BufReadPost", "BufNewFile" }, {
    pattern = opts.pattern or { "*.arch", "*.bpmn", "*/specs/*.yaml", "*/examples/*.yaml" },
    callback = function(args)
      M.attach(args.buf, opts.cmd)
    end,
  })
end

return M
