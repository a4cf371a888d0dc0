// Reads BPMN files the way bpmn.io does and prints what it saw, as JSON, for test_bpmn_moddle.py.
//
// bpmn-js (the bpmn.io modeler and viewer) and Camunda Modeler parse through bpmn-moddle's
// fromXML in lax mode: what it cannot read becomes a warning and the element is dropped
// from the drawing. So a file "opens" in those tools when fromXML gives no warnings and every
// reference resolves. This script only reports facts (warnings, references, the model's
// elements and the diagram's shapes and edges); the Python test decides what is wrong.
//
// usage: node moddle_read.mjs NPM_PREFIX FILE...
//   NPM_PREFIX is the folder `npm install --prefix` put bpmn-moddle in.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [prefix, ...files] = process.argv.slice(2);
const requireFromPrefix = createRequire(join(resolve(prefix), 'package.json'));
const modulePath = requireFromPrefix.resolve('bpmn-moddle');
const { BpmnModdle } = await import(pathToFileURL(modulePath).href);
const modulePackage = requireFromPrefix('bpmn-moddle/package.json');

// References a diagram needs: without them an edge has no ends or a pool no content.
const REFERENCES = new Set(['sourceRef', 'targetRef', 'processRef', 'attachedToRef']);

const idOf = (element) => (element && element.id) || null;

// Every model object below `element`, in document order, through containment properties only.
function* contained(element) {
  yield element;
  for (const property of element.$descriptor.properties) {
    if (property.isReference) continue;
    const value = element.get(property.name);
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) {
      if (child && typeof child === 'object' && child.$type) yield* contained(child);
    }
  }
}

function describe(definitions, references, elementsById) {
  const report = {
    references: references
      .filter((ref) => REFERENCES.has(ref.property.replace(/^bpmn:/, '')))
      .map((ref) => ({
        element: idOf(ref.element),
        property: ref.property,
        id: ref.id,
        resolved: Object.hasOwn(elementsById, ref.id),
      })),
    missing: [],
    participants: [],
    flowNodes: {},
    sequenceFlows: [],
    messageFlows: [],
    shapes: {},
    edges: {},
  };
  // the process (or null) each flow node belongs to, found from the process downwards
  const processOf = new Map();
  for (const root of definitions.rootElements || []) {
    if (!root.$instanceOf('bpmn:Process')) continue;
    for (const element of contained(root)) processOf.set(element, root.id);
  }
  const need = (element, name) => {
    if (!element.get(name) || !element.get(name).id) {
      report.missing.push({ element: idOf(element), property: name });
    }
  };
  const connection = (element) => {
    need(element, 'sourceRef');
    need(element, 'targetRef');
    return { id: element.id, source: idOf(element.sourceRef), target: idOf(element.targetRef) };
  };
  for (const element of contained(definitions)) {
    if (element.$instanceOf('bpmn:Participant')) {
      report.participants.push({ id: element.id, process: idOf(element.processRef) });
    } else if (element.$instanceOf('bpmn:SequenceFlow')) {
      report.sequenceFlows.push(connection(element));
    } else if (element.$instanceOf('bpmn:MessageFlow')) {
      report.messageFlows.push(connection(element));
    } else if (element.$instanceOf('bpmn:FlowNode')) {
      if (element.$instanceOf('bpmn:BoundaryEvent')) need(element, 'attachedToRef');
      report.flowNodes[element.id] = {
        type: element.$type,
        process: processOf.get(element) || null,
        host: idOf(element.attachedToRef),
      };
    } else if (element.$instanceOf('bpmndi:BPMNShape') && element.bounds) {
      const { x, y, width, height } = element.bounds;
      report.shapes[idOf(element.bpmnElement)] = { x, y, width, height };
    } else if (element.$instanceOf('bpmndi:BPMNEdge')) {
      report.edges[idOf(element.bpmnElement)] = (element.waypoint || []).map((p) => [p.x, p.y]);
    }
  }
  return report;
}

const results = [];
for (const file of files) {
  const moddle = new BpmnModdle();
  try {
    const { rootElement, references, warnings, elementsById } = await moddle.fromXML(readFileSync(file, 'utf8'));
    results.push({
      file,
      error: null,
      warnings: warnings.map((w) => w.message),
      ...describe(rootElement, references, elementsById),
    });
  } catch (error) {
    results.push({ file, error: String(error.message || error), warnings: [] });
  }
}
process.stdout.write(JSON.stringify({ version: modulePackage.version, results }, null, 1));
