/** A grid of images on one canvas, with a checksum of its pixels for tests to compare. */
import { useEffect, useMemo, useRef } from 'react';
import { checksum, drawImageGrid } from './draw';

export function ImageGrid(props: {
  images: Float32Array;
  n: number;
  shape: number[];
  cols: number;
  testId?: string;
  canvasRef?: React.RefObject<HTMLCanvasElement | null>;
}) {
  const own = useRef<HTMLCanvasElement>(null);
  const ref = props.canvasRef ?? own;
  const sum = useMemo(() => checksum(props.images), [props.images]);
  useEffect(() => {
    if (ref.current) drawImageGrid(ref.current, props.images, props.n, props.shape, props.cols);
  }, [props.images, props.n, props.shape, props.cols, ref]);
  return <canvas ref={ref} className="pixels" data-testid={props.testId} data-checksum={sum} />;
}
