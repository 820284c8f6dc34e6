/* rbmdocs: the trace under every need box, drawn from window.RBMDOCS_GRAPH.
 *
 * "Up" follows the links towards the strategic objective (lower levels of the results
 * chain), "down" towards indicators, targets, strategies, CPOs, priorities and DWCPs,
 * whichever way each link is written, exactly like `rbmdocs trace`. A need met twice is
 * shown again, marked, and not expanded. The graph is one file for the whole site, so a
 * page never goes stale when a need elsewhere changes. */
(function () {
  "use strict";
  var LIMIT = 200; // entries per tree before "and N more"

  function root() {
    var base = document.documentElement.dataset.content_root;
    return base === undefined ? "" : base;
  }

  function incomingIndex(graph) {
    var incoming = {};
    Object.keys(graph.links).forEach(function (source) {
      var links = graph.links[source];
      Object.keys(links).forEach(function (name) {
        links[name].forEach(function (target) {
          (incoming[target] = incoming[target] || []).push([name, source]);
        });
      });
    });
    return incoming;
  }

  function level(graph, id) {
    var need = graph.needs[id];
    return need ? graph.levels[need[0]] : undefined;
  }

  function neighbours(graph, incoming, id) {
    var found = [];
    var links = graph.links[id] || {};
    Object.keys(links).sort().forEach(function (name) {
      links[name].forEach(function (target) { found.push([name, target, true]); });
    });
    (incoming[id] || []).slice().sort().forEach(function (pair) {
      found.push([pair[0], pair[1], false]);
    });
    return found;
  }

  function walk(graph, incoming, rootId, way) {
    var seen = {};
    seen[rootId] = true;
    var tree = { id: rootId, children: [] };
    var stack = [tree];
    var count = 0;
    while (stack.length && count < LIMIT) {
      var current = stack.pop();
      var here = level(graph, current.id);
      if (here === undefined || current.repeated) { continue; }
      neighbours(graph, incoming, current.id).forEach(function (entry) {
        var other = entry[1];
        var there = level(graph, other);
        if (there === undefined || (way === "up" ? there >= here : there <= here)) { return; }
        var child = { id: other, link: entry[0], outgoing: entry[2], children: [] };
        child.repeated = Boolean(seen[other]);
        seen[other] = true;
        current.children.push(child);
        count += 1;
      });
      for (var i = current.children.length - 1; i >= 0; i -= 1) { stack.push(current.children[i]); }
    }
    tree.truncated = count >= LIMIT;
    return tree;
  }

  function linkTo(graph, id) {
    var need = graph.needs[id];
    var anchor = document.createElement("a");
    anchor.className = "rbmdocs-trace-need";
    anchor.href = root() + need[2] + "#" + id;
    anchor.textContent = id;
    var item = document.createDocumentFragment();
    item.appendChild(anchor);
    if (need[1]) { item.appendChild(document.createTextNode(" " + need[1])); }
    return item;
  }

  function render(graph, node) {
    var list = document.createElement("ul");
    node.children.forEach(function (child) {
      var item = document.createElement("li");
      var labels = graph.linkLabels[child.link] || [child.link, child.link];
      var kind = document.createElement("span");
      kind.className = "rbmdocs-trace-link";
      kind.textContent = labels[child.outgoing ? 0 : 1] + ": ";
      item.appendChild(kind);
      var type = graph.types[graph.needs[child.id][0]] || "";
      var typeSpan = document.createElement("span");
      typeSpan.className = "rbmdocs-trace-type";
      typeSpan.textContent = type + " ";
      item.appendChild(typeSpan);
      item.appendChild(linkTo(graph, child.id));
      if (child.repeated) {
        item.appendChild(document.createTextNode(" (" + graph.text.seeAbove + ")"));
      }
      if (child.children.length) { item.appendChild(render(graph, child)); }
      list.appendChild(item);
    });
    return list;
  }

  function section(graph, tree, title, open) {
    var block = document.createElement("details");
    block.className = "rbmdocs-trace-" + (open ? "up" : "down");
    if (open) { block.open = true; }
    var summary = document.createElement("summary");
    summary.textContent = title;
    block.appendChild(summary);
    if (tree.children.length) {
      block.appendChild(render(graph, tree));
    } else {
      var none = document.createElement("p");
      none.textContent = graph.text.none;
      block.appendChild(none);
    }
    if (tree.truncated) {
      var more = document.createElement("p");
      more.textContent = "… " + graph.text.more;
      block.appendChild(more);
    }
    return block;
  }

  function draw() {
    var graph = window.RBMDOCS_GRAPH;
    if (!graph) { return; }
    var incoming = incomingIndex(graph);
    document.querySelectorAll("table.need[id]").forEach(function (box) {
      var id = box.id;
      if (!graph.needs[id] || box.nextElementSibling && box.nextElementSibling.matches(".rbmdocs-trace")) {
        return;
      }
      var trace = document.createElement("nav");
      trace.className = "rbmdocs-trace";
      trace.setAttribute("aria-label", graph.text.trace + " " + id);
      trace.appendChild(section(graph, walk(graph, incoming, id, "up"), graph.text.up, true));
      trace.appendChild(section(graph, walk(graph, incoming, id, "down"), graph.text.down, false));
      box.parentNode.insertBefore(trace, box.nextSibling);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
