// A thin VS Code client for `archctl lsp`: everything else happens in the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace.getConfiguration("archctl").get("command");
  client = new LanguageClient(
    "archctl",
    "archctl",
    { command, args },
    {
      documentSelector: [
        { scheme: "file", language: "archctl" },
        { scheme: "file", language: "yaml" },
        { scheme: "file", pattern: "**/*.bpmn" },
      ],
    }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
